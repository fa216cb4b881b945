"""Thematic reports and anonymised exports, pure over plain data.

`model` holds what the services layer reads from a project (ids, labels and counts; no quote text);
`counts`, `quotes` and `layout` turn it into a `document.ReportDocument` of headings, paragraphs,
tables, charts and quotes; one renderer module per format (`markdown`, `html`, `docx`, `xlsx`) writes
that document. `tables` builds the quote table and case x code matrices for exports. Every quote,
participant label and document name reaches an output through an anonymised view.
"""
