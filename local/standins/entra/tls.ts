/**
 * A certificate authority made for one run and a server certificate for 127.0.0.1 signed by it, with the
 * openssl CLI, in a temporary directory that `remove()` deletes. Clients trust the CA: Go plugins through
 * SSL_CERT_FILE, Node processes through NODE_EXTRA_CA_CERTS, in-process clients through `ca`.
 *
 * A real Logto reads its trusted CAs (NODE_EXTRA_CA_CERTS) only when it starts, so runs against one use a
 * CA kept in a directory (`ENTRA_STANDIN_CA_DIR`, made on first use): Logto is started once trusting it, and
 * every run's server certificate is signed by it.
 */
import { execFile } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface LoopbackCertificates {
  /** PEM of the run's CA certificate. */
  caPem: string;
  /** The same PEM as a file. */
  caFile: string;
  /** The server's private key and its certificate (SANs IP:127.0.0.1 and DNS:localhost), signed by the CA. */
  keyPem: string;
  certPem: string;
  /** Deletes the directory holding all of it. */
  remove(): Promise<void>;
}

function openssl(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(
          new Error(
            "The Entra stand-in makes its test CA with the openssl CLI, which is not on PATH; install it (Debian: apt-get install openssl).",
          ),
        );
      }
      reject(
        new Error(
          `openssl ${args[0]} failed while making the Entra stand-in's test CA: ${stderr.trim() || error.message}`,
        ),
      );
    });
  });
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

// Valid for two days: longer than any run, short enough not to matter should the directory survive.
const validityDays = "2";

const serverExtensions = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=serverAuth",
  "subjectAltName=IP:127.0.0.1,DNS:localhost",
].join("\n");

function createCertificateAuthority(dir: string, days: string, commonName: string): Promise<void> {
  return openssl(dir, [
    "req",
    "-x509",
    ...ecKey,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    days,
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

// A kept CA lives for 30 days; a stale one is made anew, and the real Logto must then be restarted with it.
const keptCaDays = "30";

/** The kept CA in `caDir` (ca.pem, ca.key; made when missing or expiring within a day), copied into `dir`. */
async function useKeptCertificateAuthority(caDir: string, dir: string): Promise<void> {
  await mkdir(caDir, { recursive: true, mode: 0o700 });
  const caPemPath = path.join(caDir, "ca.pem");
  const current = await readFile(caPemPath, "utf8").then(
    (pem) => new X509Certificate(pem),
    () => undefined,
  );
  const fresh = current !== undefined && Date.parse(current.validTo) - Date.now() > 24 * 3600 * 1000;
  if (!fresh) await createCertificateAuthority(caDir, keptCaDays, "Entra stand-in test CA (kept for a real Logto)");
  await Promise.all(["ca.pem", "ca.key"].map((file) => copyFile(path.join(caDir, file), path.join(dir, file))));
}

/** `caDir`: keep the CA there (see above) instead of making one for this run. */
export async function createLoopbackCertificates(caDir?: string): Promise<LoopbackCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "entra-standin-tls-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    if (caDir) await useKeptCertificateAuthority(caDir, dir);
    else await createCertificateAuthority(dir, validityDays, "Entra stand-in test CA (one run)");
    await openssl(dir, ["req", ...ecKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    await writeFile(path.join(dir, "server.ext"), `${serverExtensions}\n`);
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-sha256",
      "-days",
      validityDays,
      "-set_serial",
      `0x${randomBytes(12).toString("hex")}`,
      "-extfile",
      "server.ext",
      "-out",
      "server.pem",
    ]);
    // Nothing else is ever signed with this copy: the CA key goes at once.
    await rm(path.join(dir, "ca.key"));
    const [caPem, keyPem, certPem] = await Promise.all(
      ["ca.pem", "server.key", "server.pem"].map((file) => readFile(path.join(dir, file), "utf8")),
    );
    return { caPem, caFile: path.join(dir, "ca.pem"), keyPem, certPem, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
