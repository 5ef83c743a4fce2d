package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.InvalidNameException;

class EndpointTest {
    @Test
    void localDataset() {
        assertThat(Endpoint.parse("tank/fs")).isEqualTo(new Endpoint(Optional.empty(), DatasetName.of("tank/fs")));
    }

    @Test
    void remoteWithAndWithoutUser() {
        assertThat(Endpoint.parse("root@nas:tank/fs").sshDestination()).contains("root@nas");
        assertThat(Endpoint.parse("nas:tank").dataset()).isEqualTo(DatasetName.of("tank"));
        assertThat(Endpoint.parse("backup.example.com:pool/a/b").toString()).isEqualTo("backup.example.com:pool/a/b");
    }

    @Test
    void ipv6InBrackets() {
        Endpoint e = Endpoint.parse("root@[fe80::1]:tank/fs");
        assertThat(e.sshDestination()).contains("root@fe80::1");
        assertThat(e.dataset().value()).isEqualTo("tank/fs");
    }

    @Test
    void colonAfterASlashBelongsToTheDataset() {
        assertThat(Endpoint.parse("tank/a:b").isLocal()).isTrue();
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Endpoint.parse("")).hasMessageContaining("empty endpoint");
        assertThatThrownBy(() -> Endpoint.parse("host:")).hasMessageContaining("no dataset");
        assertThatThrownBy(() -> Endpoint.parse("-oProxyCommand=x:tank")).hasMessageContaining("invalid host");
        assertThatThrownBy(() -> Endpoint.parse("host:tank/a b;rm")).isInstanceOf(InvalidNameException.class);
    }
}
