extension FlatIndex {
    /// Loads an index saved by `save(to:)`.
    /// - Throws: `.io`, `.fileTruncated`, `.fileCorrupt`, `.unsupportedFileVersion`; never
    ///   returns a partly read index.
    /// - Complexity: one sequential read of the file plus one checksum pass over it.
    public static func load(from path: String) throws(MatcherError) -> FlatIndex {
        FlatIndex(restoring: try IndexFile.load(from: path))
    }

    /// Saves the current snapshot's live rows atomically (temporary file, fsync, rename).
    /// - Returns: the snapshot that was saved.
    @discardableResult
    public func save(to path: String) throws(MatcherError) -> IndexSnapshot {
        let s = snapshot
        try s.save(to: path)
        return s
    }
}

extension IndexSnapshot {
    /// Saves this snapshot's live rows atomically; see `IndexFile` for the format.
    public func save(to path: String) throws(MatcherError) {
        try IndexFile.save(self, to: path)
    }
}
