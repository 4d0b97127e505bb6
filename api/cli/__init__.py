"""The `casework` command line."""
