using Persisters.Statistics.Data;

namespace Persisters.Statistics.Tests;

public class When_cut_offs_are_listed
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Days(double d) => Start + TimeSpan.FromDays(d);

    [Fact]
    public void they_are_whole_days_from_the_start_then_the_stop()
    {
        Assert.Equal([Days(1), Days(2), Days(3), Days(3.5)], CutOffs.ListEndAt(Start, Days(3.5), Days(10)));
    }

    [Fact]
    public void a_stop_on_a_whole_day_is_listed_once()
    {
        Assert.Equal([Days(1), Days(2), Days(3)], CutOffs.ListEndAt(Start, Days(3), Days(10)));
    }

    [Fact]
    public void a_running_experiment_ends_at_now()
    {
        Assert.Equal([Days(1), Days(1.5)], CutOffs.ListEndAt(Start, Days(30), Days(1.5)));
        Assert.Equal([Days(0.25)], CutOffs.ListEndAt(Start, Days(30), Days(0.25)));
    }

    [Fact]
    public void nothing_is_listed_before_the_start()
    {
        Assert.Empty(CutOffs.ListEndAt(Start, Days(30), Start.AddSeconds(-1)));
        Assert.Empty(CutOffs.ListEndAt(Start, Days(30), Days(-1)));
    }

    [Fact]
    public void at_the_start_itself_the_start_is_the_one_cut_off()
    {
        // The window [start, start] is the start's own second (counts are BETWEEN start AND end, inclusive).
        Assert.Equal([Start], CutOffs.ListEndAt(Start, Days(30), Start));
        var start = Start.ToUnixTimeSeconds();
        Assert.Equal([start], CutOffs.ListEndAt(start, start + 86_400, start));
    }

    [Fact]
    public void thirty_days_give_thirty_cut_offs_in_unix_seconds()
    {
        var start = Start.ToUnixTimeSeconds();
        var list = CutOffs.ListEndAt(start, start + 30 * 86_400, start + 40 * 86_400);
        Assert.Equal(30, list.Count);
        Assert.Equal(start + 86_400, list[0]);
        Assert.Equal(start + 30 * 86_400, list[^1]);
    }
}
