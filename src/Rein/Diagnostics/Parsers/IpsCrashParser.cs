using System.Text.Json;

namespace Rein.Diagnostics.Parsers;

/// <summary>A native crash from a macOS <c>.ips</c> report.</summary>
public sealed record CrashReport(
    string Process,
    DateTimeOffset? Time,
    string ExceptionType,
    string? ExceptionSubtype,
    string? Signal,
    string? ParentProcess,
    string? ResponsibleProcess,
    string? CulpritImage,
    string? CulpritSymbol
)
{
    /// <summary>"image symbol" of the crashed thread's first frames, for recognising a statically linked culprit
    /// (an app with MLX built in crashes "in the app", but its frames name <c>mlx::core</c>).</summary>
    public IReadOnlyList<string> TopFrames { get; init; } = [];
}

/// <summary>Pure parser for macOS crash reports (<c>.ips</c>, bug_type 309): a one-line JSON header, then the
/// report body. The culprit is the first frame of the crashed thread outside the interpreter and the system
/// libraries — usually the native extension to blame (<c>_pydantic_core…so</c>, <c>duckdb…so</c>).</summary>
public static class IpsCrashParser
{
    static readonly string[] NotCulprits =
    [
        "libsystem_",
        "libdyld",
        "dyld",
        "libc++",
        "libobjc",
        "Python",
        "libpython",
        "python3",
        "node",
        "CoreFoundation",
        "Foundation",
        "libdispatch",
    ];

    public static CrashReport? Parse(string text, out string? error)
    {
        error = null;
        var newline = text.IndexOf('\n');
        if (newline < 0)
        {
            error = "truncated: no report body after the header line";
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(text[..newline]);
            using var body = JsonDocument.Parse(text[(newline + 1)..]);
            var h = header.RootElement;
            var b = body.RootElement;
            if (!b.TryGetProperty("exception", out var exception))
            {
                error = "no exception in the report (not a crash report)";
                return null;
            }

            var time = PanicReportParser.ParseTime(Str(h, "timestamp") ?? Str(b, "captureTime"));
            var (image, symbol, top) = Culprit(b);
            return new CrashReport(
                Str(b, "procName") ?? Str(h, "app_name") ?? Str(h, "name") ?? "?",
                time,
                Str(exception, "type") ?? "?",
                Str(exception, "subtype"),
                Str(exception, "signal"),
                Str(b, "parentProc"),
                Str(b, "responsibleProc"),
                image,
                symbol
            )
            {
                TopFrames = top,
            };
        }
        catch (JsonException e)
        {
            error = $"not valid crash-report JSON: {e.Message.Split('.')[0]}";
            return null;
        }
    }

    static (string? Image, string? Symbol, List<string> Top) Culprit(JsonElement body)
    {
        var top = new List<string>();
        if (
            !body.TryGetProperty("threads", out var threads)
            || !body.TryGetProperty("usedImages", out var images)
        )
        {
            return (null, null, top);
        }

        var faulting = body.TryGetProperty("faultingThread", out var ft) ? ft.GetInt32() : 0;
        if (
            faulting >= threads.GetArrayLength()
            || !threads[faulting].TryGetProperty("frames", out var frames)
        )
        {
            return (null, null, top);
        }

        (string? Image, string? Symbol)? culprit = null;
        (string? Image, string? Symbol)? firstNamed = null;
        foreach (var frame in frames.EnumerateArray())
        {
            if (
                !frame.TryGetProperty("imageIndex", out var idx)
                || idx.GetInt32() >= images.GetArrayLength()
            )
            {
                continue;
            }

            var name = Str(images[idx.GetInt32()], "name");
            var symbol = Str(frame, "symbol");
            if (top.Count < 12)
            {
                top.Add($"{name} {symbol}");
            }

            if (name is null)
            {
                continue;
            }

            firstNamed ??= (name, symbol);
            if (
                culprit is null
                && !NotCulprits.Any(n => name.StartsWith(n, StringComparison.Ordinal))
            )
            {
                culprit = (name, symbol);
            }
        }

        var chosen = culprit ?? firstNamed;
        return (chosen?.Image, chosen?.Symbol, top);
    }

    static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object
        && e.TryGetProperty(name, out var v)
        && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}

/// <summary>Native extensions known to crash Python processes, and what to do about each.</summary>
public static class CulpritTable
{
    static readonly (string Needle, string Package, string Mitigation)[] Known =
    [
        (
            "pydantic_core",
            "pydantic-core",
            "upgrade pydantic/pydantic-core, or pin the last version that did not crash"
        ),
        (
            "cryptography",
            "cryptography",
            "upgrade cryptography (and OpenSSL); pin if a new release started it"
        ),
        ("lxml", "lxml", "upgrade lxml; avoid sharing lxml trees across threads"),
        ("PIL", "Pillow", "upgrade Pillow"),
        ("_imaging", "Pillow", "upgrade Pillow"),
        ("httpcore", "httpcore", "upgrade httpcore/httpx"),
        ("torch", "torch", "upgrade torch; check MPS fallbacks (PYTORCH_ENABLE_MPS_FALLBACK=1)"),
        ("libtorch", "torch", "upgrade torch; check MPS fallbacks (PYTORCH_ENABLE_MPS_FALLBACK=1)"),
        (
            "mlx",
            "mlx",
            "upgrade mlx/mlx-lm; space model loads (rein run --model …) and avoid concurrent Metal work"
        ),
        ("duckdb", "duckdb", "upgrade duckdb; do not share one connection across threads"),
        ("numpy", "numpy", "upgrade numpy; check OpenBLAS/Accelerate threading settings"),
        ("grpc", "grpcio", "upgrade grpcio"),
    ];

    /// <summary>The culprit frame first; failing that, any of the crashed thread's top frames.</summary>
    public static (string Package, string Mitigation)? Lookup(CrashReport crash) =>
        Lookup(crash.CulpritImage, crash.CulpritSymbol)
        ?? crash.TopFrames.Select(f => Lookup(f, null)).FirstOrDefault(k => k is not null);

    public static (string Package, string Mitigation)? Lookup(string? image, string? symbol)
    {
        var hay = $"{image} {symbol}";
        foreach (var (needle, package, mitigation) in Known)
        {
            if (hay.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return (package, mitigation);
            }
        }

        return null;
    }
}
