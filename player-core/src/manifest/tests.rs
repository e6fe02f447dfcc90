//! Whole-document parser tests.
