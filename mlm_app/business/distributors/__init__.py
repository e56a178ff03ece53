"""The distributors domain of the MLM business."""
