"""The catalogues and word lists, shipped as package data so an installed wheel finds them."""
