using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Rein.Platform.MacOS;
using Rein.Platform.Posix;
using Rein.Processes.Posix;

namespace Rein.Tests.Platform.Apple;

/// <summary>One compile-time check: C that must hold under Apple's headers, and the C# constant it comes from.</summary>
internal sealed record AppleCheck(string Condition, string Origin, string? Arch = null);

/// <summary>
/// Reads, from the compiled rein assemblies, every value the C# side takes from Apple's headers (the [AppleMacro],
/// [AppleOffset], [AppleSize] and [AppleStruct] marks, every const of a class marked [AppleMacro], and the macOS
/// signal table) and renders them as <c>_Static_assert</c>s over the real headers.
/// </summary>
internal static class AppleChecks
{
    /// <summary>The headers the macOS code paths use (and that the shim includes).</summary>
    public static readonly string[] Headers =
    [
        "errno.h",
        "fcntl.h",
        "limits.h",
        "poll.h",
        "pthread.h",
        "signal.h",
        "spawn.h",
        "stddef.h",
        "stdint.h",
        "stdlib.h",
        "string.h",
        "termios.h",
        "unistd.h",
        "libproc.h",
        "sys/file.h",
        "sys/ioctl.h",
        "sys/param.h",
        "sys/proc.h",
        "sys/proc_info.h",
        "sys/resource.h",
        "sys/socket.h",
        "sys/stat.h",
        "sys/sysctl.h",
        "sys/syslimits.h",
        "sys/types.h",
        "sys/wait.h",
    ];

    public static Assembly[] Assemblies =>
        [typeof(LibC).Assembly, typeof(Rein.Cli.ReinCli).Assembly];

    const BindingFlags Statics =
        BindingFlags.Public
        | BindingFlags.NonPublic
        | BindingFlags.Static
        | BindingFlags.DeclaredOnly;

    public static string Prelude() =>
        string.Concat(Headers.Select(h => $"#include <{h}>\n"))
        + "#define REIN_WIDTH(type, field) sizeof(((type *)0)->field)\n";

    public static IReadOnlyList<AppleCheck> Collect()
    {
        var checks = new List<AppleCheck>();
        foreach (var type in Assemblies.SelectMany(a => a.GetTypes()))
        {
            var wholeClass = type.GetCustomAttribute<AppleMacroAttribute>() is not null;
            foreach (var field in type.GetFields(Statics).Where(f => f.IsLiteral))
            {
                var origin = $"{type.FullName}.{field.Name}";
                var value = field.GetRawConstantValue();
                if (value is string)
                {
                    continue;
                }

                var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                var macros = field.GetCustomAttributes<AppleMacroAttribute>().ToList();
                if (wholeClass && macros.Count == 0)
                {
                    macros.Add(new AppleMacroAttribute());
                }

                foreach (var m in macros)
                {
                    checks.Add(Macro(m.Expression ?? field.Name, number, origin));
                }

                foreach (var o in field.GetCustomAttributes<AppleOffsetAttribute>())
                {
                    checks.Add(new($"offsetof({o.Type}, {o.Field}) == {number}", origin, o.Arch));
                    if (o.Width > 0)
                    {
                        checks.Add(
                            new(
                                $"REIN_WIDTH({o.Type}, {o.Field}) == {o.Width}",
                                origin + " (width)",
                                o.Arch
                            )
                        );
                    }
                }

                foreach (var s in field.GetCustomAttributes<AppleSizeAttribute>())
                {
                    checks.Add(
                        new(
                            $"sizeof({s.Type}) {(s.AtLeast ? "<=" : "==")} {number}",
                            origin,
                            s.Arch
                        )
                    );
                }
            }

            if (type.GetCustomAttribute<AppleStructAttribute>() is { } st)
            {
                checks.AddRange(Struct(type, st));
            }
        }

        checks.AddRange(SignalTable());
        return checks;
    }

    public static AppleCheck Macro(string expression, long value, string origin) =>
        new($"(long long)({expression}) == {value}LL", $"{origin} = {value} is {expression}");

    static IEnumerable<AppleCheck> Struct(Type type, AppleStructAttribute st)
    {
        var fields = type.GetFields(
                BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
            )
            .OrderBy(f => f.MetadataToken)
            .ToList();
        Assert.True(
            fields.Count == st.Fields.Count,
            $"{type.FullName}: [AppleStruct] names {st.Fields.Count} fields, the struct has {fields.Count}"
        );
        yield return new($"sizeof({st.Type}) == {Marshal.SizeOf(type)}", $"{type.FullName} (size)");
        for (var i = 0; i < fields.Count; i++)
        {
            var offset = Marshal.OffsetOf(type, fields[i].Name);
            var width = Marshal.SizeOf(fields[i].FieldType);
            yield return new(
                $"offsetof({st.Type}, {st.Fields[i]}) == {offset} && REIN_WIDTH({st.Type}, {st.Fields[i]}) == {width}",
                $"{type.FullName}.{fields[i].Name}"
            );
        }
    }

    /// <summary>The macOS column of <c>rein kill -l</c> and of signal-name parsing (SignalNames.MacOS).</summary>
    static IEnumerable<AppleCheck> SignalTable()
    {
        var names = typeof(Rein.Processes.Posix.SignalNames);
        var table = ((string Name, int Number)[])names.GetField("MacOS", Statics)!.GetValue(null)!;
        Assert.NotEmpty(table);
        return table.Select(e =>
            Macro("SIG" + e.Name, e.Number, $"Rein.Processes.Posix.SignalNames.MacOS[{e.Name}]")
        );
    }

    /// <summary>A C file of one <c>_Static_assert</c> per check (per architecture where the check names one).</summary>
    public static string Render(IEnumerable<AppleCheck> checks)
    {
        var c = new StringBuilder(Prelude());
        foreach (var check in checks)
        {
            var guard = check.Arch switch
            {
                null => null,
                "arm64" => "defined(__aarch64__)",
                "x64" => "defined(__x86_64__)",
                _ => throw new InvalidOperationException(
                    $"{check.Origin}: unknown Arch {check.Arch}"
                ),
            };
            if (guard is not null)
            {
                c.Append("#if ").Append(guard).Append('\n');
            }

            c.Append("_Static_assert(")
                .Append(check.Condition)
                .Append(", \"")
                .Append(check.Origin.Replace("\"", "'", StringComparison.Ordinal))
                .Append("\");\n");
            if (guard is not null)
            {
                c.Append("#endif\n");
            }
        }

        return c.ToString();
    }
}
