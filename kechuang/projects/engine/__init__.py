"""Pure rules of the projects module (no Django): the 包干制 negative list and the completion of
targets at acceptance."""
