"""Session fixtures for the local lab of real servers (owned by the checks/lab work)."""
