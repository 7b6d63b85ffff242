namespace TraceExporter.Configuration;

public enum MetricType
{
    /// <summary>From count()/sum() (or any integer map): never goes down.</summary>
    Counter,

    /// <summary>From min()/max()/plain values (or count/sum when declared so): the latest value.</summary>
    Gauge,

    /// <summary>From hist()/lhist(): cumulative <c>le</c> buckets, <c>_count</c> and a true <c>_sum</c> from a paired sum() map.</summary>
    Histogram,

    /// <summary>From stats(): <c>_count</c> and <c>_sum</c> (a summary without quantiles).</summary>
    Summary,
}
