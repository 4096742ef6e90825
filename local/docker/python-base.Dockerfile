# A local stand-in for the official python:<version>-slim-<release> image, built by local/docker/docker-engine.sh
# when that image cannot be pulled. FROM is a Debian <release> minbase root file system (debootstrap, with
# python3, python3-venv, ca-certificates, netbase and tzdata) imported into the engine. What app/Dockerfile
# relies on behaves as in the official image: `python` and `pip` first on PATH (a venv of Debian's python3,
# so `pip install` goes into it, as into /usr/local in the official image), groupadd/useradd, CA certificates.
ARG ROOTFS_IMAGE
FROM ${ROOTFS_IMAGE}
ARG PYTHON_MINOR
ARG IMAGE_NAME

# The machine's own CA certificates (e.g. of an intercepting HTTPS proxy), so that pip in later builds
# reaches PyPI where the machine does. Debian's pip uses the system store.
COPY ca-certificates/ /usr/local/share/ca-certificates/
RUN update-ca-certificates \
    && python3 -c "import sys; v = '%d.%d' % sys.version_info[:2]; sys.exit(0 if v == '${PYTHON_MINOR}' else 'this Debian release has Python ' + v + ', ${IMAGE_NAME} needs ${PYTHON_MINOR}')" \
    && python3 -m venv /opt/python

ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
LABEL org.opencontainers.image.description="Local stand-in for ${IMAGE_NAME}: Debian packages, built by local/docker/docker-engine.sh"
CMD ["python3"]
