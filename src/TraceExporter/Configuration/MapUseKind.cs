namespace TraceExporter.Configuration;

/// <summary>How a program uses a map at one place.</summary>
public enum MapUseKind
{
    /// <summary><c>@m[k] = count()</c>, <c>sum(x)</c>, <c>hist(x)</c>, …: adds to the map.</summary>
    Aggregation,

    /// <summary><c>@m[k]++</c> or <c>@m[k]--</c>.</summary>
    Increment,

    /// <summary><c>@m[k] = expression</c> (not an aggregation), or a compound assignment such as <c>+=</c>.</summary>
    Assignment,

    /// <summary>Anything else: a read, <c>delete()</c>, <c>print()</c>, <c>clear()</c>, …</summary>
    Other,
}
