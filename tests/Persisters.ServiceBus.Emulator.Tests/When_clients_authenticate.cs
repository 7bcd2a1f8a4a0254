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

[Collection(nameof(EmulatorCollection))]
public sealed class When_an_amqp_client_logs_in_with_sasl_plain(EmulatorFixture emulator)
{
    [Fact]
    public async Task Key_name_and_key_grant_sending_without_cbs_and_a_wrong_key_is_refused()
    {
        string queue = await emulator.CreateQueueAsync();
        var factory = new Microsoft.Azure.Amqp.AmqpConnectionFactory();
        Microsoft.Azure.Amqp.AmqpConnection connection = await factory.OpenConnectionAsync(
            new Uri($"amqp://RootManageSharedAccessKey:SAS_KEY_VALUE@127.0.0.1:{emulator.Host.AmqpPort}"), TimeSpan.FromSeconds(10));
        try
        {
            var session = connection.CreateSession(new Microsoft.Azure.Amqp.AmqpSessionSettings());
            await session.OpenAsync(TimeSpan.FromSeconds(10));
            var link = new Microsoft.Azure.Amqp.SendingAmqpLink(session, new Microsoft.Azure.Amqp.AmqpLinkSettings
            {
                LinkName = "plain-sender",
                Role = false,
                Source = new Microsoft.Azure.Amqp.Framing.Source { Address = "plain" },
                Target = new Microsoft.Azure.Amqp.Framing.Target { Address = queue },
            });
            await link.OpenAsync(TimeSpan.FromSeconds(10));
            var message = Microsoft.Azure.Amqp.AmqpMessage.Create(new Microsoft.Azure.Amqp.Framing.Data { Value = new ArraySegment<byte>("plain"u8.ToArray()) });
            var outcome = await link.SendMessageAsync(message, new ArraySegment<byte>(new byte[] { 1 }), Microsoft.Azure.Amqp.AmqpConstants.NullBinary, TimeSpan.FromSeconds(10));
            Assert.IsType<Microsoft.Azure.Amqp.Framing.Accepted>(outcome);
        }
        finally
        {
            await connection.CloseAsync(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(1, (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value.ActiveMessageCount);
        await Assert.ThrowsAnyAsync<Exception>(() => factory.OpenConnectionAsync(
            new Uri($"amqp://RootManageSharedAccessKey:wrong@127.0.0.1:{emulator.Host.AmqpPort}"), TimeSpan.FromSeconds(10)));
    }
}
