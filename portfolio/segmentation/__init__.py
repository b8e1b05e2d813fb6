"""Segmentation and the behaviour score: rules engine (pandas), nightly job, snapshots."""
