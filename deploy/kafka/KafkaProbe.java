// Readiness probe for deploy/kafka/kafka.sh, compiled once into the jar cache.
//
// Sends real metadata requests (DescribeCluster + ListTopics through the Admin client)
// until they succeed or the deadline passes, so "ready" means the broker serves clients,
// not merely that its port is open. One JVM polls, instead of one JVM per attempt.
//
//   java -cp 'libs/*:probe' KafkaProbe BOOTSTRAP TIMEOUT_SECONDS [options]
//     --scram USER PASSWORD   SCRAM-SHA-512 credentials for --sasl-ssl
//     --create-user           after the PLAINTEXT check, upsert that SCRAM user through the
//                             PLAINTEXT listener (idempotent; also resets the password)
//     --coordinators N        after the PLAINTEXT check, also wait until the group coordinator
//                             answers for every one of the N __consumer_offsets partitions
//                             (creates that topic on a fresh broker; after a restart, waits
//                             out its loading), so the first consumer group joins at once
//     --sasl-ssl HOST:PORT CA_PEM
//                             then also wait until that SASL_SSL listener answers a
//                             metadata request authenticated as USER
//
// Exit 0 and one line on stdout when ready; exit 1 with the last error on stderr.

import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Node;

public final class KafkaProbe {
    private static long deadline;
    private static Throwable lastError;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaProbe BOOTSTRAP TIMEOUT_SECONDS [--scram USER PASSWORD [--create-user]] [--sasl-ssl HOST:PORT CA_PEM]");
            System.exit(2);
        }
        String bootstrap = args[0];
        deadline = System.currentTimeMillis() + (long) (Double.parseDouble(args[1]) * 1000);
        String user = null, password = null, saslBootstrap = null, caPem = null;
        boolean createUser = false;
        int coordinators = 0;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--scram": user = args[++i]; password = args[++i]; break;
                case "--create-user": createUser = true; break;
                case "--coordinators": coordinators = Integer.parseInt(args[++i]); break;
                case "--sasl-ssl": saslBootstrap = args[++i]; caPem = args[++i]; break;
                default: System.err.println("unknown option " + args[i]); System.exit(2);
            }
        }
        if ((saslBootstrap != null || createUser) && user == null) {
            System.err.println("--sasl-ssl and --create-user need --scram USER PASSWORD");
            System.exit(2);
        }

        String summary;
        try (Admin admin = Admin.create(clientProps(bootstrap))) {
            summary = waitForMetadata(admin, bootstrap);
            if (coordinators > 0) {
                waitForCoordinators(admin, coordinators);
            }
            if (createUser) {
                upsertScram(admin, user, password);
            }
        }
        if (saslBootstrap != null) {
            Properties p = clientProps(saslBootstrap);
            p.put("security.protocol", "SASL_SSL");
            p.put("sasl.mechanism", "SCRAM-SHA-512");
            p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"" + jaasEscape(user) + "\" password=\"" + jaasEscape(password) + "\";");
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", caPem);
            try (Admin admin = Admin.create(p)) {
                summary += "; " + waitForMetadata(admin, saslBootstrap + " (SASL_SSL as " + user + ")");
            }
        }
        System.out.println(summary);
    }

    private static Properties clientProps(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "newswire-kafka-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
        return p;
    }

    private static String waitForMetadata(Admin admin, String what) {
        while (true) {
            int slice = (int) Math.max(500, Math.min(5000, deadline - System.currentTimeMillis()));
            try {
                var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(slice));
                Collection<Node> nodes = cluster.nodes().get();
                String clusterId = cluster.clusterId().get();
                Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs(slice)).names().get();
                if (!nodes.isEmpty()) {
                    return what + " ready: cluster " + clusterId + ", " + nodes.size() + " broker(s), "
                            + topics.size() + " topic(s)";
                }
                lastError = new IllegalStateException("metadata lists no brokers yet");
            } catch (ExecutionException e) {
                lastError = e.getCause();
            } catch (Exception e) {
                lastError = e;
            }
            giveUpOrSleep(what);
        }
    }

    private static void waitForCoordinators(Admin admin, int partitions) {
        // The coordinator of group g is the leader of __consumer_offsets partition
        // abs(g.hashCode()) % partitions: pick one group id per partition.
        String[] groups = new String[partitions];
        int found = 0;
        for (int i = 0; found < partitions; i++) {
            String g = "newswire-kafka-probe-" + i;
            int p = (g.hashCode() & 0x7fffffff) % partitions;
            if (groups[p] == null) {
                groups[p] = g;
                found++;
            }
        }
        while (true) {
            int slice = (int) Math.max(500, Math.min(5000, deadline - System.currentTimeMillis()));
            try {
                admin.describeConsumerGroups(List.of(groups),
                        new DescribeConsumerGroupsOptions().timeoutMs(slice)).all().get();
                return;
            } catch (ExecutionException e) {
                lastError = e.getCause();
            } catch (Exception e) {
                lastError = e;
            }
            giveUpOrSleep("group coordinator");
        }
    }

    private static void upsertScram(Admin admin, String user, String password) {
        var upsert = new UserScramCredentialUpsertion(
                user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password);
        while (true) {
            try {
                admin.alterUserScramCredentials(List.of(upsert)).all().get();
                return;
            } catch (ExecutionException e) {
                lastError = e.getCause();
            } catch (Exception e) {
                lastError = e;
            }
            giveUpOrSleep("SCRAM user " + user);
        }
    }

    private static void giveUpOrSleep(String what) {
        if (System.currentTimeMillis() >= deadline) {
            System.err.println(what + " not ready: " + lastError);
            System.exit(1);
        }
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    private static String jaasEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
