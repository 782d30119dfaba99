"""starskope.vetting"""
