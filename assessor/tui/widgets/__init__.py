"""Widgets of the assessment: answer inputs, the live verdict panel, the save status."""
