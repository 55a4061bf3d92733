"""Authentication hardening (graded protection level 3): login throttling and lockout (`throttle`),
the password policy (`passwords`), and the HTTP side — session timeout, cookie flags, security
headers and the Content-Security-Policy (`web`). Access control itself is accounts/policy.py."""
