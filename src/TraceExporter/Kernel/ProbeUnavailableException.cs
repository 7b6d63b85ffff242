namespace TraceExporter.Kernel;

/// <summary>This kernel cannot run a probe; the message says why, in words for the operator.</summary>
public sealed class ProbeUnavailableException : Exception
{
    public ProbeUnavailableException()
    {
    }

    public ProbeUnavailableException(string message)
        : base(message)
    {
    }

    public ProbeUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
