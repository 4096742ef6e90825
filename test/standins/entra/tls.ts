/**
 * A certificate authority made for one run and a server certificate for 127.0.0.1 signed by it, with the
 * openssl CLI, in a temporary directory that `remove()` deletes. Clients trust the CA: Go plugins through
 * SSL_CERT_FILE, Node processes through NODE_EXTRA_CA_CERTS, in-process clients through `ca`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

export async function createLoopbackCertificates(): Promise<LoopbackCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "entra-standin-tls-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await openssl(dir, [
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      validityDays,
      "-subj",
      "/CN=Entra stand-in test CA (one run)",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
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
    // Nothing else is ever signed: the CA key goes at once.
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
