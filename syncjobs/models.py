"""Models of the syncjobs app."""
