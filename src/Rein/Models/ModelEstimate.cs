using System.Globalization;
using System.Text.RegularExpressions;

namespace Rein.Models;

/// <summary>How much memory a model's weights take, estimated from its id: the parameter count and where it came
/// from (a <c>31b</c>/<c>350m</c> token, or a size word), times bytes per parameter and where that came from (a
/// quantisation token, or the 2-byte default). <see cref="Bytes"/> is null when the id says nothing about size.</summary>
public sealed record ModelEstimate
{
    public required string Model { get; init; }

    /// <summary>The parameter count; null when unknown.</summary>
    public double? Parameters { get; init; }

    /// <summary>The token the count was read from (<c>31b</c>, <c>e4b</c>, <c>8x7b</c>, <c>large</c>).</summary>
    public string? ParameterToken { get; init; }

    /// <summary>True when the count comes from a size word (mini … xl): a rough guess.</summary>
    public bool FromSizeWord { get; init; }

    public double BytesPerParameter { get; init; } = 2;

    /// <summary>The quantisation token (<c>8bit</c>, <c>q4</c>, <c>bf16</c>); null: the default of 2 bytes.</summary>
    public string? QuantisationToken { get; init; }

    public long? Bytes => Parameters is { } p ? (long)Math.Ceiling(p * BytesPerParameter) : null;
}

/// <summary>Estimates a model's weight memory from its id (see <see cref="ModelEstimate"/>). Pure.</summary>
public static partial class ModelSizeEstimator
{
    /// <summary>Rough counts for ids that give a size word instead of a number (whisper, T5 and GPT-2 checkpoints
    /// span these); a number in the id always wins.</summary>
    static readonly Dictionary<string, double> SizeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mini"] = 100e6,
        ["small"] = 250e6,
        ["medium"] = 770e6,
        ["large"] = 1.5e9,
        ["xl"] = 3e9,
    };

    public static ModelEstimate Estimate(string modelId)
    {
        var (_, name) = Cadence.ModelId.Split(modelId);
        var tokens = name.Split(['-', '_', ' '], StringSplitOptions.RemoveEmptyEntries);
        var estimate = new ModelEstimate { Model = modelId };

        // The first count in the name is the total (in `26b-a4b` the second is the active share).
        foreach (var token in tokens)
        {
            if (Count(token) is { } count)
            {
                estimate = estimate with { Parameters = count, ParameterToken = token };
                break;
            }
        }

        if (estimate.Parameters is null)
        {
            foreach (var token in tokens)
            {
                if (SizeWords.TryGetValue(token, out var count))
                {
                    estimate = estimate with
                    {
                        Parameters = count,
                        ParameterToken = token.ToLowerInvariant(),
                        FromSizeWord = true,
                    };
                    break;
                }
            }
        }

        foreach (var token in tokens)
        {
            if (BytesPer(token) is { } bytes)
            {
                return estimate with { BytesPerParameter = bytes, QuantisationToken = token };
            }
        }

        return estimate;
    }

    /// <summary><c>31b</c>, <c>1.5b</c>, <c>e4b</c> (an "effective" size), <c>350m</c>, <c>8x7b</c> (experts × size).</summary>
    static double? Count(string token)
    {
        var m = CountPattern().Match(token);
        if (!m.Success)
        {
            return null;
        }

        var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        var unit = char.ToLowerInvariant(m.Groups["unit"].Value[0]) == 'b' ? 1e9 : 1e6;
        var experts = m.Groups["x"].Success
            ? double.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture)
            : 1;
        return n > 0 ? experts * n * unit : null;
    }

    /// <summary>Bytes per parameter for a quantisation token: <c>bf16/fp16/16bit</c> 2, <c>8bit/q8</c> 1,
    /// <c>6bit</c> 0.75, <c>4bit/q4</c> 0.5, <c>3bit</c> 0.375, <c>2bit</c> 0.25 (any <c>Nbit</c>, <c>qN</c>,
    /// <c>intN</c>, <c>fpN</c> is N/8); <c>fp32</c> 4.</summary>
    static double? BytesPer(string token)
    {
        if (token.Equals("bf16", StringComparison.OrdinalIgnoreCase))
        {
            return 2;
        }

        var m = QuantPattern().Match(token);
        return
            m.Success
            && int.Parse(m.Groups["bits"].Value, CultureInfo.InvariantCulture)
                is var bits
                    and >= 1
                    and <= 32
            ? bits / 8.0
            : null;
    }

    [GeneratedRegex(
        @"^(?:(?<x>\d+)x|e)?(?<n>\d+(?:\.\d+)?)(?<unit>[bm])$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex CountPattern();

    [GeneratedRegex(
        @"^(?:(?<bits>\d+)bits?|q(?<bits>\d+)|int(?<bits>\d+)|(?:mx)?fp(?<bits>\d+)|f(?<bits>16|32))$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex QuantPattern();
}
