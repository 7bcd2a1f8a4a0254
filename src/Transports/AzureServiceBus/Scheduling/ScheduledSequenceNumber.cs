namespace Persisters.Transports.AzureServiceBus.Scheduling;

/// <summary>A scheduled message's sequence number, carried in a token id (the last 8 bytes mark it as ours).</summary>
internal static class ScheduledSequenceNumber
{
    private static readonly byte[] Tag = new Guid("5b1c7e2a-9d40-4f38-b6a1-3e0d8c27f419").ToByteArray()[8..];

    public static Guid ToTokenId(long sequenceNumber)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), sequenceNumber);
        Tag.CopyTo(bytes, 8);
        return new Guid(bytes);
    }

    public static bool TryRead(Guid tokenId, out long sequenceNumber)
    {
        var bytes = tokenId.ToByteArray();
        if (bytes.AsSpan(8).SequenceEqual(Tag))
        {
            sequenceNumber = BitConverter.ToInt64(bytes, 0);
            return true;
        }
        sequenceNumber = 0;
        return false;
    }
}
