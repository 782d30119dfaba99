"""starskope.missions"""
