using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_clients_authenticate(EmulatorFixture emulator)
{
    [Fact]
    public async Task A_token_signed_with_a_wrong_key_is_refused_on_amqp_and_http()
    {
        string queue = await emulator.CreateQueueAsync();
        string wrong = emulator.ConnectionString.Replace("SharedAccessKey=SAS_KEY_VALUE", "SharedAccessKey=not-the-key");
        await using var client = new ServiceBusClient(wrong, new ServiceBusClientOptions { RetryOptions = { MaxRetries = 0 } });
        await using ServiceBusSender sender = client.CreateSender(queue);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));

        var admin = new ServiceBusAdministrationClient(wrong);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.GetQueueAsync(queue));

        Assert.Equal(0, (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value.TotalMessageCount);
    }

    [Fact]
    public async Task A_key_without_manage_rights_sends_and_receives_but_cannot_manage()
    {
        string queue = await emulator.CreateQueueAsync();
        string limited = emulator.Host.ConnectionStringFor(emulator.Host.Options.Keys.Single(k => k.Name == "SendListenOnly"));
        await using var client = new ServiceBusClient(limited);
        await using ServiceBusSender sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x"));
        await using ServiceBusReceiver receiver = client.CreateReceiver(queue);
        ServiceBusReceivedMessage? m = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(m);
        await receiver.CompleteMessageAsync(m);

        var admin = new ServiceBusAdministrationClient(limited);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.CreateQueueAsync("not-allowed-" + Guid.NewGuid().ToString("N")[..6]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.QueueExistsAsync(queue));
    }
}
