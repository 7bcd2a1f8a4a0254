using System.Diagnostics;

namespace Persisters.Bench.Shared;

/// <summary>
/// A child group of the cgroup v1 memory controller (<c>/sys/fs/cgroup/memory</c>) with a hard limit, the way a container
/// runtime applies a Kubernetes memory limit; processes started through <see cref="Wrap"/> run inside it from their first
/// instruction, so .NET sees the limit when it sizes its heap. Needs write access to the controller (root).
/// </summary>
public sealed class MemoryCgroup : IDisposable
{
    public const string Root = "/sys/fs/cgroup/memory";

    private MemoryCgroup(string path, long limitBytes)
    {
        Path = path;
        LimitBytes = limitBytes;
    }

    public string Path { get; }
    public long LimitBytes { get; }

    /// <summary>Creates <c>/sys/fs/cgroup/memory/NAME</c> with <c>memory.limit_in_bytes</c> = <paramref name="limitBytes"/>.</summary>
    /// <exception cref="InvalidOperationException">The memory controller is not mounted here, or not writable.</exception>
    public static MemoryCgroup Create(string name, long limitBytes)
    {
        if (!File.Exists(System.IO.Path.Combine(Root, "cgroup.procs")))
        {
            throw new InvalidOperationException($"The cgroup v1 memory controller is not mounted at {Root}.");
        }
        var path = System.IO.Path.Combine(Root, name);
        if (Directory.Exists(path)) Directory.Delete(path);
        Directory.CreateDirectory(path);
        File.WriteAllText(System.IO.Path.Combine(path, "memory.limit_in_bytes"), limitBytes.ToString());
        return new MemoryCgroup(path, limitBytes);
    }

    /// <summary>A start of <paramref name="file"/> that first moves the shell into this group, then execs the program (same pid).</summary>
    public ProcessStartInfo Wrap(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("echo $$ > \"$0\" && exec \"$@\"");
        info.ArgumentList.Add(System.IO.Path.Combine(Path, "cgroup.procs"));
        info.ArgumentList.Add(file);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>The group's peak charge (RSS plus page cache), <c>memory.max_usage_in_bytes</c>.</summary>
    public long MaxUsageBytes => long.Parse(Read("memory.max_usage_in_bytes"));

    /// <summary>How often the group hit its limit (<c>memory.failcnt</c>); reclaiming page cache counts too.</summary>
    public long FailCount => long.Parse(Read("memory.failcnt"));

    /// <summary>Processes of this group the kernel's OOM killer ended (<c>oom_kill</c> in <c>memory.oom_control</c>).</summary>
    public long OomKills => Read("memory.oom_control").Split('\n').Select(l => l.Split(' ')).Where(p => p.Length == 2 && p[0] == "oom_kill")
        .Select(p => long.Parse(p[1])).FirstOrDefault();

    private string Read(string file) => File.ReadAllText(System.IO.Path.Combine(Path, file)).Trim();

    public void Dispose()
    {
        // The group can be removed once it holds no process.
        for (var i = 0; i < 50 && Directory.Exists(Path); i++)
        {
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }
}

/// <summary>Peak and sampled resident set size of a process, from <c>/proc/PID/status</c>.</summary>
public static class ProcessMemory
{
    /// <summary>VmHWM (the kernel's peak RSS) and VmRSS, in bytes; null once the process is gone.</summary>
    public static (long PeakRss, long Rss)? Read(int pid)
    {
        try
        {
            long hwm = 0, rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kib(line);
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
            }
            return (hwm, rss);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
