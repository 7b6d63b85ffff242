namespace TraceExporter.Parsing;

public enum ParseError
{
    /// <summary>Not JSON, or JSON that ends early.</summary>
    InvalidJson,

    /// <summary>Valid JSON that is not a bpftrace record we understand.</summary>
    UnexpectedShape,

    /// <summary>The line was longer than the reader's bound; it was skipped unread.</summary>
    LineTooLong,
}
