"""Test doubles shared by several test modules (fake HTTP servers on 127.0.0.1, small catalogs)."""
