"""Mapping tables and the Visma catalog cache; turns a Paychex worker into the desired Visma employee."""
