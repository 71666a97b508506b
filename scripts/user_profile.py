#!/usr/bin/env python
"""Print one user's profile (用户画像) and recommendations, with the emotion that drove them.

    python scripts/user_profile.py PROFILES_JSON USER_ID [--json]
    python scripts/user_profile.py PROFILES_JSON --new-user

PROFILES_JSON is written by the ``emotion-rec`` task beside its model's TensorBoard run, e.g.
``tensorboard_logs/<run>/emotion-rec/synthetic/user+item-emotion/profiles.json``.  An unknown user, a
missing or malformed file exit with status 2 and say what was wrong; ``--new-user`` shows what a user with
no history gets (popularity).
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles")
    parser.add_argument("user", nargs="?")
    parser.add_argument("--new-user", action="store_true", help="the cold-start profile")
    parser.add_argument("--json", action="store_true", help="print the profile as JSON")
    args = parser.parse_args(argv)

    # reading a profiles file needs no TensorFlow: the script answers in about a second
    from emotion_tf.emotion_rec.profile_file import format_profile, load_profiles, profile_of

    if (args.user is None) == (not args.new_user):
        parser.error("give a USER_ID or --new-user (not both)")
    try:
        profiles = load_profiles(args.profiles)
        profile = profiles["cold_start"] if args.new_user else profile_of(profiles, args.user)
    except (FileNotFoundError, ValueError, KeyError) as error:
        print(f"error: {error.args[0] if isinstance(error, KeyError) else error}", file=sys.stderr)
        return 2
    print(json.dumps(profile, ensure_ascii=False, indent=1) if args.json else format_profile(profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
