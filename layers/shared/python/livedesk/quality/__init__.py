"""Quality inspection (智能质检): rules, the inspector and the store of inspections."""
