//! Values (placeholder until the value model lands).
