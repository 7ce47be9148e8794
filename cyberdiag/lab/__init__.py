"""The local lab: a fictional territory of real servers (DNS, mail, web) on loopback."""
