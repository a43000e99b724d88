using Rein.Config;
using Rein.Platform.MacOS;
using Rein.Processes.Linux;

namespace Rein.Diagnostics.Checks;

/// <summary>Is the machine short of memory? Linux: MemAvailable, swap, PSI. macOS: <c>memory_pressure</c>'s free
/// percentage, <c>vm.swapusage</c>, the compressor.</summary>
public sealed class MemoryPressureCheck : IDoctorCheck
{
    public string Name => "memory";

    const string Advice =
        "stop or cap the biggest users (see the top-memory finding; rein run --memory SIZE), and do not start more model loads until pressure drops";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (ctx.IsLinux)
        {
            var mem = MemInfoParser.ReadCurrent();
            if (mem is null)
            {
                return [new Finding(Name, Severity.Warn, "could not read /proc/meminfo")];
            }

            return [Evaluate(mem, PressureParser.ReadCurrent("memory"))];
        }

        if (ctx.IsMacOS)
        {
            var mp = ctx.Tools.Run("/usr/bin/memory_pressure", [], ctx.ToolTimeout);
            var sysctl = ctx.Tools.Run(
                "/usr/sbin/sysctl",
                ["vm.swapusage", "kern.memorystatus_level"],
                ctx.ToolTimeout
            );
            var reading = mp.Ok ? MacMemoryParsers.ParseMemoryPressure(mp.Stdout) : null;
            var values = sysctl.Ok ? MacMemoryParsers.ParseSysctl(sysctl.Stdout) : [];
            var swap = values.TryGetValue("vm.swapusage", out var s)
                ? MacMemoryParsers.ParseSwapUsage(s)
                : null;
            return [EvaluateMac(reading, swap, mp.TimedOut)];
        }

        return [new Finding(Name, Severity.Info, "memory readings are not supported on this OS")];
    }

    /// <summary>Pure: Linux thresholds. Warn: under 15 % available or PSI some avg10 over 10 %. Critical: under 5 %
    /// available or PSI full avg10 over 10 % (every task stalled on memory a tenth of the time).</summary>
    public Finding Evaluate(MemInfo mem, Pressure? psi)
    {
        var percent = mem.TotalBytes == 0 ? 100 : 100.0 * mem.AvailableBytes / mem.TotalBytes;
        var swapUsed = mem.SwapTotalBytes - mem.SwapFreeBytes;
        var severity =
            percent < 5 || psi?.Full?.Avg10 > 10 ? Severity.Critical
            : percent < 15 || psi?.Some.Avg10 > 10 ? Severity.Warn
            : Severity.Ok;
        var pressure = psi is null
            ? "PSI not available"
            : $"PSI some {psi.Some.Avg10:0.##}%/{psi.Some.Avg60:0.##}% full {psi.Full?.Avg10 ?? 0:0.##}%/{psi.Full?.Avg60 ?? 0:0.##}% (avg10/avg60)";
        var summary =
            $"{SizeParser.Format(mem.AvailableBytes)} of {SizeParser.Format(mem.TotalBytes)} available ({percent:0}%), swap used {SizeParser.Format(swapUsed)}, {pressure}";
        return new Finding(
            Name,
            severity,
            summary,
            severity == Severity.Ok ? null : Advice,
            Details.Of(
                ("available_bytes", mem.AvailableBytes),
                ("total_bytes", mem.TotalBytes),
                ("swap_used_bytes", swapUsed),
                ("psi_some_avg10", psi?.Some.Avg10),
                ("psi_some_avg60", psi?.Some.Avg60),
                ("psi_full_avg10", psi?.Full?.Avg10),
                ("psi_full_avg60", psi?.Full?.Avg60)
            )
        );
    }

    /// <summary>Pure: macOS thresholds on the free percentage (warn under 30 %, critical under 15 %) and swap.</summary>
    public Finding EvaluateMac(MemoryPressureReading? reading, SwapUsage? swap, bool timedOut)
    {
        if (reading is null)
        {
            return new Finding(
                Name,
                Severity.Warn,
                timedOut ? "memory_pressure timed out" : "could not read memory_pressure"
            );
        }

        var severity =
            reading.FreePercent < 15 ? Severity.Critical
            : reading.FreePercent < 30 ? Severity.Warn
            : Severity.Ok;
        var swapText = swap is null
            ? "swap unknown"
            : $"swap used {SizeParser.Format(swap.Used)} of {SizeParser.Format(swap.Total)}";
        return new Finding(
            Name,
            severity,
            $"memory free {reading.FreePercent}%, {swapText}, compressor {SizeParser.Format(reading.CompressorPages * reading.PageSize)}, swapins {reading.Swapins}",
            severity == Severity.Ok ? null : Advice,
            Details.Of(
                ("free_percent", reading.FreePercent),
                ("swap_used_bytes", swap?.Used),
                ("swap_total_bytes", swap?.Total),
                ("compressor_bytes", reading.CompressorPages * reading.PageSize),
                ("swapins", reading.Swapins),
                ("swapouts", reading.Swapouts)
            )
        );
    }
}
