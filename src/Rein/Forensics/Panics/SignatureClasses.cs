using System.Text.RegularExpressions;

namespace Rein.Forensics.Panics;

/// <summary>Sorts a panic's text into a few classes the gate and the postmortem talk about. Pure; the first
/// matching rule wins, so the specific Apple GPU signatures come before the general ones.</summary>
public static partial class SignatureClasses
{
    public const string PrepareCountUnderflow = "prepare_count_underflow";
    public const string PendingMemorySet = "pending_memory_set";
    public const string CtxStoreTimeout = "ctxstore_timeout";
    public const string MetalOom = "metal_oom";
    public const string GpuHang = "gpu_hang";
    public const string Other = "other";

    public static string Classify(string text)
    {
        if (text.Contains("prepare count underflow", StringComparison.OrdinalIgnoreCase))
        {
            return PrepareCountUnderflow;
        }

        if (PendingMemory().IsMatch(text))
        {
            return PendingMemorySet;
        }

        if (CtxStore().IsMatch(text))
        {
            return CtxStoreTimeout;
        }

        if (GpuOom().IsMatch(text))
        {
            return MetalOom;
        }

        return GpuHangText().IsMatch(text) ? GpuHang : Other;
    }

    [GeneratedRegex(@"pending[ _]?memory[ _]?set", RegexOptions.IgnoreCase)]
    private static partial Regex PendingMemory();

    [GeneratedRegex(@"ctx[ _]?store.{0,80}?time[ _-]?d?[ _-]?out", RegexOptions.IgnoreCase)]
    private static partial Regex CtxStore();

    [GeneratedRegex(
        @"(IOGPU|AGX|Metal|GPU).{0,120}?(out of memory|OutOfMemory|insufficient memory)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex GpuOom();

    [GeneratedRegex(
        @"GPU (hang|restart|reset|has fallen off)|(AGX|IOGPU).{0,80}?(hang|hung|timeout|timed out)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex GpuHangText();
}
