"""Accuracy evaluations of tidings stages on labelled data sets."""
