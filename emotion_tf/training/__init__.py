"""Training plumbing written once for every task: seeds, results records, TensorBoard, the task registry."""
