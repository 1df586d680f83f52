"""Helpers the tests share: builders, fake servers, test data. Not tests themselves."""
