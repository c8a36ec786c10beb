"""The operators' web console, served by the platform itself at /console."""
