"""The crm domain of the MLM business."""
