using System.Buffers.Binary;
using System.Text;
using Rein.Platform.MacOS;

namespace Rein.Tests.Platform;

/// <summary>
/// The macOS struct decoders on byte images. The decoders' offsets and sizes are checked against Apple's real headers
/// by the C compiler (Apple/AppleHeaderTests); what this adds is that the decoders read the bytes those offsets name
/// (and nothing else: every other byte is garbage). The images are laid out from a field-by-field transcription of
/// apple-oss-distributions/xnu (bsd/sys/proc_info.h, bsd/sys/resource.h) with C's LP64 rules, whose results the
/// first test pins to the constants the compiler checked.
/// </summary>
public sealed class MacLayoutTests
{
    /// <summary>A C field: its name, the size of one element, and how many.</summary>
    sealed record Field(string Name, int Size, int Count = 1);

    sealed class Layout
    {
        public Layout(params Field[] fields)
        {
            var offset = 0;
            var align = 1;
            foreach (var f in fields)
            {
                offset = (offset + f.Size - 1) / f.Size * f.Size; // arrays align like their element
                Offsets[f.Name] = offset;
                offset += f.Size * f.Count;
                align = Math.Max(align, f.Size);
            }

            Size = (offset + align - 1) / align * align;
        }

        public Dictionary<string, int> Offsets { get; } = [];

        public int Size { get; }
    }

    const int MAXCOMLEN = 16;

    // struct proc_bsdinfo, bsd/sys/proc_info.h
    static readonly Layout BsdInfo = new(
        new("pbi_flags", 4),
        new("pbi_status", 4),
        new("pbi_xstatus", 4),
        new("pbi_pid", 4),
        new("pbi_ppid", 4),
        new("pbi_uid", 4),
        new("pbi_gid", 4),
        new("pbi_ruid", 4),
        new("pbi_rgid", 4),
        new("pbi_svuid", 4),
        new("pbi_svgid", 4),
        new("rfu_1", 4),
        new("pbi_comm", 1, MAXCOMLEN),
        new("pbi_name", 1, 2 * MAXCOMLEN),
        new("pbi_nfiles", 4),
        new("pbi_pgid", 4),
        new("pbi_pjobc", 4),
        new("e_tdev", 4),
        new("e_tpgid", 4),
        new("pbi_nice", 4),
        new("pbi_start_tvsec", 8),
        new("pbi_start_tvusec", 8)
    );

    // struct proc_bsdshortinfo, bsd/sys/proc_info.h
    static readonly Layout BsdShortInfo = new(
        new("pbsi_pid", 4),
        new("pbsi_ppid", 4),
        new("pbsi_pgid", 4),
        new("pbsi_status", 4),
        new("pbsi_comm", 1, MAXCOMLEN),
        new("pbsi_flags", 4),
        new("pbsi_uid", 4),
        new("pbsi_gid", 4),
        new("pbsi_ruid", 4),
        new("pbsi_rgid", 4),
        new("pbsi_svuid", 4),
        new("pbsi_svgid", 4),
        new("pbsi_rfu", 4)
    );

    // struct proc_threadinfo, bsd/sys/proc_info.h (MAXTHREADNAMESIZE 64)
    static readonly Layout ThreadInfo = new(
        new("pth_user_time", 8),
        new("pth_system_time", 8),
        new("pth_cpu_usage", 4),
        new("pth_policy", 4),
        new("pth_run_state", 4),
        new("pth_flags", 4),
        new("pth_sleep_time", 4),
        new("pth_curpri", 4),
        new("pth_priority", 4),
        new("pth_maxpriority", 4),
        new("pth_name", 1, 64)
    );

    // struct rusage_info_v4, bsd/sys/resource.h: ri_uuid[16], then 35 uint64_t in this order.
    static readonly string[] RusageV4Fields =
    [
        "ri_user_time",
        "ri_system_time",
        "ri_pkg_idle_wkups",
        "ri_interrupt_wkups",
        "ri_pageins",
        "ri_wired_size",
        "ri_resident_size",
        "ri_phys_footprint",
        "ri_proc_start_abstime",
        "ri_proc_exit_abstime",
        "ri_child_user_time",
        "ri_child_system_time",
        "ri_child_pkg_idle_wkups",
        "ri_child_interrupt_wkups",
        "ri_child_pageins",
        "ri_child_elapsed_abstime",
        "ri_diskio_bytesread",
        "ri_diskio_byteswritten",
        "ri_cpu_time_qos_default",
        "ri_cpu_time_qos_maintenance",
        "ri_cpu_time_qos_background",
        "ri_cpu_time_qos_utility",
        "ri_cpu_time_qos_legacy",
        "ri_cpu_time_qos_user_initiated",
        "ri_cpu_time_qos_user_interactive",
        "ri_billed_system_time",
        "ri_serviced_system_time",
        "ri_logical_writes",
        "ri_lifetime_max_phys_footprint",
        "ri_instructions",
        "ri_cycles",
        "ri_billed_energy",
        "ri_serviced_energy",
        "ri_interval_max_phys_footprint",
        "ri_runnable_time",
    ];

    static readonly Layout RusageV4 = new([
        new Field("ri_uuid", 1, 16),
        .. RusageV4Fields.Select(n => new Field(n, 8)),
    ]);

    static void Put32(byte[] b, Layout l, string field, uint v) =>
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(l.Offsets[field]), v);

    static void Put64(byte[] b, Layout l, string field, ulong v) =>
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(l.Offsets[field]), v);

    static void PutText(byte[] b, Layout l, string field, string text) =>
        Encoding.UTF8.GetBytes(text).CopyTo(b, l.Offsets[field]);

    [Fact]
    public void The_transcription_agrees_with_the_compiler_checked_constants()
    {
        Assert.Equal(ProcBsdInfo.Size, BsdInfo.Size);
        Assert.Equal(ProcBsdInfo.ShortSize, BsdShortInfo.Size);
        Assert.Equal(ProcThreadInfo.Size, ThreadInfo.Size);
        Assert.Equal(RusageInfo.V4Size, RusageV4.Size);
        Assert.Equal(ProcBsdInfo.ProcessGroupOffset, BsdInfo.Offsets["pbi_pgid"]);
        Assert.Equal(ProcBsdInfo.ShortUidOffset, BsdShortInfo.Offsets["pbsi_uid"]);
        Assert.Equal(ProcThreadInfo.RunStateOffset, ThreadInfo.Offsets["pth_run_state"]);
        Assert.Equal(RusageInfo.PhysFootprintOffset, RusageV4.Offsets["ri_phys_footprint"]);
    }

    [Fact]
    public void A_proc_bsdinfo_image_decodes_to_what_was_written()
    {
        var b = new byte[BsdInfo.Size];
        Array.Fill(b, (byte)0xEE); // garbage everywhere rein must not read
        Put32(b, BsdInfo, "pbi_status", ProcBsdInfo.SSTOP);
        Put32(b, BsdInfo, "pbi_pid", 4242);
        Put32(b, BsdInfo, "pbi_ppid", 4241);
        Put32(b, BsdInfo, "pbi_uid", 501);
        Put32(b, BsdInfo, "pbi_pgid", 4240);
        Array.Clear(b, BsdInfo.Offsets["pbi_comm"], MAXCOMLEN);
        PutText(b, BsdInfo, "pbi_comm", "python3.12");
        Array.Clear(b, BsdInfo.Offsets["pbi_name"], 2 * MAXCOMLEN);
        Put64(b, BsdInfo, "pbi_start_tvsec", 1_790_000_000);
        Put64(b, BsdInfo, "pbi_start_tvusec", 123_456);

        var p = ProcBsdInfo.Decode(b)!;
        Assert.Equal(
            new BsdProcess(
                4242,
                4241,
                4240,
                ProcBsdInfo.SSTOP,
                501,
                1_790_000_000_123_456UL,
                "python3.12"
            ),
            p
        );
        Assert.Equal('T', ProcBsdInfo.StateLetter(p.Status));

        PutText(b, BsdInfo, "pbi_name", "a-registered-name");
        Assert.Equal("a-registered-name", ProcBsdInfo.Decode(b)!.Command); // pbi_name wins when set
        Assert.Null(ProcBsdInfo.Decode(b.AsSpan(0, BsdInfo.Size - 1)));
    }

    [Fact]
    public void A_proc_bsdshortinfo_image_decodes_without_a_start_time()
    {
        var b = new byte[BsdShortInfo.Size];
        Put32(b, BsdShortInfo, "pbsi_pid", 77);
        Put32(b, BsdShortInfo, "pbsi_ppid", 1);
        Put32(b, BsdShortInfo, "pbsi_pgid", 77);
        Put32(b, BsdShortInfo, "pbsi_status", ProcBsdInfo.SZOMB);
        Put32(b, BsdShortInfo, "pbsi_uid", 0);
        Put32(b, BsdShortInfo, "pbsi_flags", 0xFFFFFFFF);
        PutText(b, BsdShortInfo, "pbsi_comm", "launchd");

        Assert.Equal(
            new BsdProcess(77, 1, 77, ProcBsdInfo.SZOMB, 0, 0, "launchd"),
            ProcBsdInfo.DecodeShort(b)
        );
        Assert.Equal('Z', ProcBsdInfo.StateLetter(ProcBsdInfo.SZOMB));
    }

    [Fact]
    public void A_rusage_info_v4_image_gives_the_physical_footprint_not_the_resident_size()
    {
        var b = new byte[RusageV4.Size];
        for (var i = 0; i < RusageV4Fields.Length; i++)
        {
            Put64(b, RusageV4, RusageV4Fields[i], (ulong)(i + 1) * 1000); // every field distinct
        }

        Put64(b, RusageV4, "ri_resident_size", 100L << 20);
        Put64(b, RusageV4, "ri_phys_footprint", 3L << 30); // compressed + GPU memory: far above RSS
        Put64(b, RusageV4, "ri_lifetime_max_phys_footprint", 5L << 30);

        Assert.Equal((3L << 30, 100L << 20, 5L << 30), RusageInfo.Decode(b));
        Assert.Null(RusageInfo.Decode(b.AsSpan(0, 295)));
    }

    [Fact]
    public void Thread_states_fold_into_U_only_when_no_thread_runs()
    {
        var b = new byte[ThreadInfo.Size];
        Put32(b, ThreadInfo, "pth_run_state", ProcThreadInfo.TH_STATE_UNINTERRUPTIBLE);
        Put32(b, ThreadInfo, "pth_flags", 0xFFFFFFFF);
        Assert.Equal(ProcThreadInfo.TH_STATE_UNINTERRUPTIBLE, ProcThreadInfo.RunState(b));

        Assert.True(ProcThreadInfo.Uninterruptible([3, 4, 3]));
        Assert.False(ProcThreadInfo.Uninterruptible([3, 4, 1])); // one running thread: R, as ps says
        Assert.False(ProcThreadInfo.Uninterruptible([3, 3]));
        Assert.False(ProcThreadInfo.Uninterruptible([]));
    }
}
