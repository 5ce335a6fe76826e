"""Deterministic demo data: Tổ dân phố số 6 of a ward in Thái Nguyên."""
