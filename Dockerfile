FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cleaner ./cleaner
COPY models ./models
RUN pip install --no-cache-dir .
ENTRYPOINT ["cleaner"]
CMD ["--help"]
