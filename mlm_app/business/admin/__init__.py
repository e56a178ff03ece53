"""The admin domain of the MLM business."""
