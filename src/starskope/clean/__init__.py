"""starskope.clean"""
