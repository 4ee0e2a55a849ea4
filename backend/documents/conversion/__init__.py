"""The parts of conversion that `convert.py` and `detect.py` assemble: the block model every converter emits
(`types`), content sniffing (`sniff`, `office`), Docling's document to blocks (`from_docling`), headings of
native PDFs (`pdf_headings`) and the boilerplate stripped from web pages (`boilerplate`)."""
