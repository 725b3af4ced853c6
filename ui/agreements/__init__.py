"""The Agreements tab: the MoU register and its MoU and protocol dialogs."""
