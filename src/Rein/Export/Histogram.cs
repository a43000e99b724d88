namespace Rein.Export;

/// <summary>A cumulative histogram with fixed upper bounds (the last bucket is +Inf): counts per bucket, not yet
/// accumulated, plus the sum and count Prometheus expects.</summary>
public sealed class Histogram
{
    public Histogram(IReadOnlyList<double> bounds)
    {
        Bounds = bounds;
        Counts = new long[bounds.Count + 1];
    }

    /// <summary>Upper bounds, ascending, without +Inf.</summary>
    public IReadOnlyList<double> Bounds { get; }

    /// <summary>Observations per bucket (index <c>Bounds.Count</c> is the +Inf bucket); not cumulative.</summary>
    public long[] Counts { get; private set; }

    public double Sum { get; private set; }

    public long Count { get; private set; }

    public void Observe(double value)
    {
        var i = 0;
        while (i < Bounds.Count && value > Bounds[i])
        {
            i++;
        }

        Counts[i]++;
        Sum += value;
        Count++;
    }

    /// <summary>The cumulative count of observations at or below each bound, then the total (+Inf).</summary>
    public IEnumerable<long> Cumulative()
    {
        long running = 0;
        foreach (var c in Counts)
        {
            running += c;
            yield return running;
        }
    }

    /// <summary>Restores saved state; ignored (the histogram stays empty) when it was saved with other bounds.</summary>
    internal void Restore(long[] counts, double sum, long count)
    {
        if (counts.Length != Counts.Length || counts.Any(c => c < 0) || counts.Sum() != count)
        {
            return;
        }

        Counts = counts;
        Sum = sum;
        Count = count;
    }
}
