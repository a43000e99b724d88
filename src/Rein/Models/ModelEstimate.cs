using System.Globalization;
using System.Text.RegularExpressions;
using Rein.Cache;

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

    /// <summary>True when the count comes from a family's size word (whisper-large, phi-4-mini, t5-xl): the
    /// family's published count, not a number in the id.</summary>
    public bool FromSizeWord { get; init; }

    public double BytesPerParameter { get; init; } = 2;

    /// <summary>The quantisation token (<c>8bit</c>, <c>q4</c>, <c>bf16</c>); null: the default of 2 bytes.</summary>
    public string? QuantisationToken { get; init; }

    /// <summary>The weights found on disk (local folder or the Hugging Face cache); when present they are the
    /// figure, and the name only explains it.</summary>
    public WeightsOnDisk? OnDisk { get; init; }

    /// <summary>Where <see cref="Bytes"/> comes from: <c>weights on disk</c>, <c>name</c>, or <c>unknown</c>.</summary>
    public string Source =>
        OnDisk is not null ? "weights on disk"
        : Parameters is not null ? "name"
        : "unknown";

    /// <summary>The bytes from the name alone (parameters × bytes per parameter); null when the name says nothing.</summary>
    public long? NameBytes =>
        Parameters is { } p ? (long)Math.Ceiling(p * BytesPerParameter) : null;

    public long? Bytes => OnDisk?.Bytes ?? NameBytes;
}

/// <summary>Estimates a model's weight memory from its id (see <see cref="ModelEstimate"/>). Pure.</summary>
public static partial class ModelSizeEstimator
{
    /// <summary>Published parameter counts of families whose ids say a size word instead of a number. A size word
    /// alone means nothing across families (Phi-4-mini is 3.8B, a whisper "small" 244M), so a word counts only
    /// with its family; an unknown family's word leaves the size unknown rather than guessed.</summary>
    static readonly (string Family, string Word, double Count)[] FamilySizes =
    [
        ("whisper", "tiny", 39e6),
        ("whisper", "base", 74e6),
        ("whisper", "small", 244e6),
        ("whisper", "medium", 769e6),
        ("whisper", "large", 1550e6),
        ("whisper", "turbo", 809e6),
        ("t5", "small", 60e6),
        ("t5", "base", 220e6),
        ("t5", "large", 770e6),
        ("t5", "xl", 3e9),
        ("t5", "xxl", 11e9),
        ("gpt2", "medium", 355e6),
        ("gpt2", "large", 774e6),
        ("gpt2", "xl", 1.5e9),
        ("gpt2", "", 124e6),
        ("bert", "base", 110e6),
        ("bert", "large", 340e6),
        ("phi-3", "mini", 3.8e9),
        ("phi-3", "small", 7.4e9),
        ("phi-3", "medium", 14e9),
        ("phi-4", "mini", 3.8e9),
        ("phi-4", "multimodal", 5.6e9),
        ("phi-4", "", 14.7e9),
    ];

    /// <summary>The estimate from the name, replaced by the weights on disk when the model is a local folder or in
    /// the Hugging Face cache (<see cref="ModelWeights"/>).</summary>
    public static ModelEstimate Estimate(string modelId, CacheLocations at) =>
        Estimate(modelId) with
        {
            OnDisk = ModelWeights.Find(modelId, at),
        };

    public static ModelEstimate Estimate(string modelId)
    {
        var (_, name) = Cadence.ModelId.Split(modelId);
        var tokens = Tokens(name);
        var estimate = new ModelEstimate { Model = modelId };

        // The first plain count in the name is the total (in `26b-a4b` the second is the active share); an
        // experts × size token (`8x7b`) only when there is none (`8X4B-…-21B` says its total; Mixtral's 8x7b
        // overstates the shared layers, the safe side).
        foreach (var plain in new[] { true, false })
        {
            foreach (var token in tokens)
            {
                if (
                    Count(token) is { } count
                    && plain != token.Contains('x', StringComparison.OrdinalIgnoreCase)
                )
                {
                    estimate = estimate with { Parameters = count, ParameterToken = token };
                    break;
                }
            }

            if (estimate.Parameters is not null)
            {
                break;
            }
        }

        if (estimate.Parameters is null && FamilySize(name, tokens) is { } family)
        {
            estimate = estimate with
            {
                Parameters = family.Count,
                ParameterToken = family.Token,
                FromSizeWord = true,
            };
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

    /// <summary>The name's tokens, with the spellings a split tears apart put back: <c>4-bit</c> → <c>4bit</c>,
    /// <c>Q_6</c> → <c>Q6</c>.</summary>
    static List<string> Tokens(string name)
    {
        var raw = name.Split(['-', '_', ' '], StringSplitOptions.RemoveEmptyEntries);
        var tokens = new List<string>();
        for (var i = 0; i < raw.Length; i++)
        {
            var joined =
                i + 1 < raw.Length
                && (
                    (
                        raw[i].All(char.IsAsciiDigit)
                        && raw[i + 1].StartsWith("bit", StringComparison.OrdinalIgnoreCase)
                    )
                    || (
                        raw[i].Equals("q", StringComparison.OrdinalIgnoreCase)
                        && raw[i + 1].All(char.IsAsciiDigit)
                    )
                );
            tokens.Add(joined ? raw[i] + raw[++i] : raw[i]);
        }

        return tokens;
    }

    static (double Count, string Token)? FamilySize(string name, List<string> tokens)
    {
        var lower = name.ToLowerInvariant()
            .Replace("phi3", "phi-3", StringComparison.Ordinal)
            .Replace("phi-3.5", "phi-3", StringComparison.Ordinal);
        foreach (var (family, word, count) in FamilySizes)
        {
            if (!lower.Contains(family, StringComparison.Ordinal))
            {
                continue;
            }

            if (
                word.Length == 0
                || tokens.Any(t => t.Equals(word, StringComparison.OrdinalIgnoreCase))
            )
            {
                return (count, word.Length == 0 ? family : $"{family} {word}");
            }
        }

        return null;
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

    /// <summary>Bytes per parameter for a quantisation token. Block-quantised formats carry a scale (and bias) per
    /// group of weights: MLX's <c>Nbit</c> (affine, groups of 64: a 16-bit scale and bias each) and GGUF's <c>qN</c>
    /// cost N + 0.5 bits, MXFP's <c>mxfpN</c> N + 0.25 (an 8-bit scale per 32); plain types (<c>bf16/fp16/16bit</c>
    /// 2 bytes, <c>fp32</c> 4, <c>intN</c>, <c>fpN</c>) cost N/8.</summary>
    static double? BytesPer(string token)
    {
        if (token.Equals("bf16", StringComparison.OrdinalIgnoreCase))
        {
            return 2;
        }

        var m = QuantPattern().Match(token);
        if (
            !m.Success
            || int.Parse(m.Groups["bits"].Value, CultureInfo.InvariantCulture)
                is not (>= 1 and <= 32 and var bits)
        )
        {
            return null;
        }

        var blockScales =
            bits >= 16 ? 0
            : m.Groups["mlx"].Success ? 0.5
            : m.Groups["mx"].Success ? 0.25
            : 0;
        return (bits + blockScales) / 8.0;
    }

    [GeneratedRegex(
        @"^(?:(?<x>\d+)x|e)?(?<n>\d+(?:\.\d+)?)(?<unit>[bm])$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex CountPattern();

    [GeneratedRegex(
        @"^(?:(?<mlx>(?<bits>\d+)bits?|q(?<bits>\d+))|int(?<bits>\d+)|(?<mx>mx)?fp(?<bits>\d+)|f(?<bits>16|32))$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex QuantPattern();
}
