"""The payouts domain of the MLM business."""
